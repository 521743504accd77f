//! The conversions between the forgelink core's types and the Rust types a WIT generator
//! (wit-bindgen in the component, wasmtime's bindgen in the host) makes from `wit/`, derived
//! from the WIT itself.
//!
//! A record's fields, an enum's cases and a variant's cases are read from the WIT, so a field
//! added to the WIT and to the core type is converted without another line: the generated code
//! names each field on both sides, and the compiler refuses a core type that lacks one. Field
//! types are converted through the calling crate's `IntoWit` and `FromWit` traits ([`traits!`]
//! writes them with their impls for text, numbers, options, lists and pairs), so a record inside
//! a record, an option of an enum or a list of records converts through its own impl.
//!
//! Names follow the generators' rules: a field `delivery-id` is `delivery_id` on both sides, a
//! case `bitbucket-cloud` is `BitbucketCloud`, and a field named by a Rust keyword (`ref`) is
//! `ref_` in the generated type and `r#ref` in the core.

use std::path::PathBuf;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Path, Token};
use wit_parser::{Resolve, TypeDefKind};

/// Implements `IntoWit` (core to WIT), `FromWit` (WIT to core) or both for each listed type:
///
/// ```ignore
/// forgelink_wit_convert::conversions! {
///     wit = "../../wit";
///     "webhooks/webhook-event": forgelink::WebhookEvent <=> wit::WebhookEvent;
///     "types/diagnostic": forgelink::Diagnostic => wit_types::Diagnostic;
/// }
/// ```
///
/// `wit` is the WIT package's directory, relative to the calling crate's manifest; each entry
/// names a type as `interface/type`, then the core type, the direction (`=>` core to WIT, `<=`
/// WIT to core, `<=>` both) and the generated type, then optionally, in braces, the core's
/// names for fields or cases it spells differently (`{ "github" = GitHub }`).
#[proc_macro]
pub fn conversions(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = syn::parse_macro_input!(input as Conversions);
    expand(input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Writes the `IntoWit` and `FromWit` traits into the calling crate, with their impls for the
/// values both sides spell alike: text (the core's static text too), booleans, numbers (a
/// `usize` saturates into a `u32`), and options, lists (the core's static slices too), pairs
/// and maps (a WIT list of pairs, in the map's order) of convertible values.
#[proc_macro]
pub fn traits(_input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let same = [
        quote!(String),
        quote!(bool),
        quote!(u8),
        quote!(u16),
        quote!(u32),
        quote!(u64),
        quote!(i32),
        quote!(i64),
    ];
    quote! {
        /// A total conversion from a core value to its WIT counterpart.
        pub(crate) trait IntoWit<T> {
            /// Converts `self`.
            fn into_wit(self) -> T;
        }

        /// A total conversion from a WIT value to its core counterpart.
        pub(crate) trait FromWit<T>: Sized {
            /// Converts `wit`.
            fn from_wit(wit: T) -> Self;
        }

        #(
            impl IntoWit<#same> for #same {
                fn into_wit(self) -> #same {
                    self
                }
            }
            impl FromWit<#same> for #same {
                fn from_wit(wit: #same) -> Self {
                    wit
                }
            }
        )*

        /// Counts and positions that do not fit the WIT's `u32` saturate instead of wrapping,
        /// so a huge one can never be read as a small, wrong one.
        impl IntoWit<u32> for usize {
            fn into_wit(self) -> u32 {
                u32::try_from(self).unwrap_or(u32::MAX)
            }
        }
        impl FromWit<u32> for usize {
            fn from_wit(wit: u32) -> Self {
                usize::try_from(wit).unwrap_or(usize::MAX)
            }
        }

        impl<A: IntoWit<B>, B> IntoWit<Option<B>> for Option<A> {
            fn into_wit(self) -> Option<B> {
                self.map(IntoWit::into_wit)
            }
        }
        impl<A: FromWit<B>, B> FromWit<Option<B>> for Option<A> {
            fn from_wit(wit: Option<B>) -> Self {
                wit.map(FromWit::from_wit)
            }
        }

        impl<A: IntoWit<B>, B> IntoWit<Vec<B>> for Vec<A> {
            fn into_wit(self) -> Vec<B> {
                self.into_iter().map(IntoWit::into_wit).collect()
            }
        }
        impl<A: FromWit<B>, B> FromWit<Vec<B>> for Vec<A> {
            fn from_wit(wit: Vec<B>) -> Self {
                wit.into_iter().map(FromWit::from_wit).collect()
            }
        }

        impl IntoWit<String> for &str {
            fn into_wit(self) -> String {
                self.to_owned()
            }
        }

        impl<A: Clone + IntoWit<B>, B> IntoWit<Vec<B>> for &[A] {
            fn into_wit(self) -> Vec<B> {
                self.iter().cloned().map(IntoWit::into_wit).collect()
            }
        }

        impl<K: IntoWit<C>, V: IntoWit<D>, C, D> IntoWit<Vec<(C, D)>>
            for ::std::collections::BTreeMap<K, V>
        {
            fn into_wit(self) -> Vec<(C, D)> {
                self.into_iter().map(IntoWit::into_wit).collect()
            }
        }
        impl<K: Ord + FromWit<C>, V: FromWit<D>, C, D> FromWit<Vec<(C, D)>>
            for ::std::collections::BTreeMap<K, V>
        {
            fn from_wit(wit: Vec<(C, D)>) -> Self {
                wit.into_iter().map(FromWit::from_wit).collect()
            }
        }

        impl<A: IntoWit<C>, B: IntoWit<D>, C, D> IntoWit<(C, D)> for (A, B) {
            fn into_wit(self) -> (C, D) {
                (self.0.into_wit(), self.1.into_wit())
            }
        }
        impl<A: FromWit<C>, B: FromWit<D>, C, D> FromWit<(C, D)> for (A, B) {
            fn from_wit(wit: (C, D)) -> Self {
                (A::from_wit(wit.0), B::from_wit(wit.1))
            }
        }
    }
    .into()
}

/// Converts each of the core's secret types to and from the WIT's `string`: out with its
/// `secret()`, in with its `new`. The secrets a caller asked for (new credentials, a callback's
/// code) cross in clear; the core holds them in types that never print them.
#[proc_macro]
pub fn secrets(_input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let types = [
        "AccessToken",
        "RefreshToken",
        "DeviceCode",
        "ClientSecret",
        "WebhookSecret",
        "PrivateKey",
        "AuthorizationCode",
        "CodeVerifier",
        "SessionBinding",
    ]
    .map(|name| format_ident!("{name}"));
    quote! {
        #(
            impl IntoWit<String> for forgelink::#types {
                fn into_wit(self) -> String {
                    self.secret().to_owned()
                }
            }
            impl FromWit<String> for forgelink::#types {
                fn from_wit(text: String) -> Self {
                    Self::new(text)
                }
            }
        )*
    }
    .into()
}

struct Conversions {
    wit_dir: LitStr,
    entries: Vec<Entry>,
}

struct Entry {
    wit_name: LitStr,
    core: Path,
    into_wit: bool,
    from_wit: bool,
    wit: Path,
    /// Core names that differ from the generators' reading of the WIT name: `"github" = GitHub`.
    renames: Vec<(LitStr, Ident)>,
}

impl Parse for Conversions {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        if key != "wit" {
            return Err(syn::Error::new(key.span(), "expected `wit = \"DIR\";` first"));
        }
        input.parse::<Token![=]>()?;
        let wit_dir = input.parse()?;
        input.parse::<Token![;]>()?;
        let mut entries = Vec::new();
        while !input.is_empty() {
            let wit_name = input.parse()?;
            input.parse::<Token![:]>()?;
            let core = input.parse()?;
            let (into_wit, from_wit) = if input.peek(Token![=>]) {
                input.parse::<Token![=>]>()?;
                (true, false)
            } else {
                input.parse::<Token![<=]>()?;
                let both = input.parse::<Option<Token![>]>>()?.is_some();
                (both, true)
            };
            let wit = input.parse()?;
            let mut renames = Vec::new();
            if input.peek(syn::token::Brace) {
                let body;
                syn::braced!(body in input);
                while !body.is_empty() {
                    let wit_name: LitStr = body.parse()?;
                    body.parse::<Token![=]>()?;
                    renames.push((wit_name, body.parse()?));
                    if !body.is_empty() {
                        body.parse::<Token![,]>()?;
                    }
                }
            }
            input.parse::<Token![;]>()?;
            entries.push(Entry { wit_name, core, into_wit, from_wit, wit, renames });
        }
        Ok(Conversions { wit_dir, entries })
    }
}

fn expand(input: Conversions) -> syn::Result<TokenStream> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or_else(|| syn::Error::new(Span::call_site(), "CARGO_MANIFEST_DIR is not set"))?;
    let dir = PathBuf::from(manifest_dir).join(input.wit_dir.value());
    let fail = |message: String| syn::Error::new(input.wit_dir.span(), message);
    let mut resolve = Resolve::new();
    let (package, sources) =
        resolve.push_dir(&dir).map_err(|e| fail(format!("cannot read the WIT: {e:#}")))?;

    // Naming every WIT file makes Cargo rebuild the conversions when one changes.
    let tracked = sources
        .paths()
        .map(|path| path.to_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| fail("a WIT file's path is not UTF-8".into()))?;

    let mut impls = Vec::new();
    for entry in &input.entries {
        let name = entry.wit_name.value();
        let span = entry.wit_name.span();
        let (interface, type_name) = name
            .split_once('/')
            .ok_or_else(|| syn::Error::new(span, "expected \"interface/type\""))?;
        let interface = resolve.packages[package]
            .interfaces
            .get(interface)
            .ok_or_else(|| syn::Error::new(span, format!("no interface `{interface}`")))?;
        let ty = resolve.interfaces[*interface]
            .types
            .get(type_name)
            .ok_or_else(|| syn::Error::new(span, format!("no type `{type_name}`")))?;
        impls.push(conversion(entry, &resolve.types[*ty].kind, span)?);
    }
    Ok(quote! {
        #(const _: &str = include_str!(#tracked);)*
        #(#impls)*
    })
}

fn conversion(entry: &Entry, kind: &TypeDefKind, span: Span) -> syn::Result<TokenStream> {
    let Entry { core, wit, into_wit, from_wit, renames, .. } = entry;
    let names: Vec<&str> = match kind {
        TypeDefKind::Record(record) => record.fields.iter().map(|f| f.name.as_str()).collect(),
        TypeDefKind::Enum(cases) => cases.cases.iter().map(|c| c.name.as_str()).collect(),
        TypeDefKind::Variant(variant) => variant.cases.iter().map(|c| c.name.as_str()).collect(),
        _ => return Err(unsupported(span)),
    };
    // A rename that names nothing is a typo that would otherwise pass unnoticed.
    if let Some((unknown, _)) =
        renames.iter().find(|(name, _)| !names.contains(&name.value().as_str()))
    {
        return Err(syn::Error::new(
            unknown.span(),
            "the WIT type has no field or case of this name",
        ));
    }
    let core_name = |wit_name: &str, default: Ident| {
        renames
            .iter()
            .find(|(name, _)| name.value() == wit_name)
            .map_or(default, |(_, core)| core.clone())
    };
    let (to_wit, to_core) = match kind {
        TypeDefKind::Record(record) => {
            let wit_fields: Vec<_> =
                record.fields.iter().map(|f| field_ident(&f.name, false)).collect();
            let core_fields: Vec<_> = record
                .fields
                .iter()
                .map(|f| core_name(&f.name, field_ident(&f.name, true)))
                .collect();
            (
                quote!(#wit { #(#wit_fields: IntoWit::into_wit(self.#core_fields),)* }),
                quote!(Self { #(#core_fields: FromWit::from_wit(wit.#wit_fields),)* }),
            )
        }
        TypeDefKind::Enum(cases) => {
            let wit_cases: Vec<_> = cases.cases.iter().map(|c| case_ident(&c.name)).collect();
            let core_cases: Vec<_> =
                cases.cases.iter().map(|c| core_name(&c.name, case_ident(&c.name))).collect();
            (
                quote!(match self { #(#core::#core_cases => #wit::#wit_cases,)* }),
                quote!(match wit { #(#wit::#wit_cases => #core::#core_cases,)* }),
            )
        }
        TypeDefKind::Variant(variant) => {
            let (mut to_wit, mut to_core) = (Vec::new(), Vec::new());
            for case in &variant.cases {
                let wit_case = case_ident(&case.name);
                let core_case = core_name(&case.name, wit_case.clone());
                if case.ty.is_some() {
                    to_wit.push(
                        quote!(#core::#core_case(v) => #wit::#wit_case(IntoWit::into_wit(v))),
                    );
                    to_core.push(
                        quote!(#wit::#wit_case(v) => #core::#core_case(FromWit::from_wit(v))),
                    );
                } else {
                    to_wit.push(quote!(#core::#core_case => #wit::#wit_case));
                    to_core.push(quote!(#wit::#wit_case => #core::#core_case));
                }
            }
            (quote!(match self { #(#to_wit,)* }), quote!(match wit { #(#to_core,)* }))
        }
        _ => return Err(unsupported(span)),
    };
    let into = into_wit.then(|| {
        quote! {
            impl IntoWit<#wit> for #core {
                fn into_wit(self) -> #wit {
                    #to_wit
                }
            }
        }
    });
    let from = from_wit.then(|| {
        quote! {
            impl FromWit<#wit> for #core {
                fn from_wit(wit: #wit) -> Self {
                    #to_core
                }
            }
        }
    });
    Ok(quote!(#into #from))
}

fn unsupported(span: Span) -> syn::Error {
    syn::Error::new(span, "only records, enums and variants are converted: write this one by hand")
}

/// A field's Rust name: the WIT name in snake case, a Rust keyword escaped as the generators
/// escape it (`ref_`) or as the core writes it (`r#ref`).
fn field_ident(wit_name: &str, core: bool) -> Ident {
    let name = wit_name.trim_start_matches('%').to_snake_case();
    match (syn::parse_str::<Ident>(&name), core) {
        (Ok(ident), _) => ident,
        (Err(_), true) => Ident::new_raw(&name, Span::call_site()),
        (Err(_), false) => format_ident!("{name}_"),
    }
}

fn case_ident(wit_name: &str) -> Ident {
    format_ident!("{}", wit_name.trim_start_matches('%').to_upper_camel_case())
}
