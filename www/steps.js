// Where the person is on a long page: the visible steps are numbered 1, 2, 3… (the token path
// has fewer than the OAuth path), and a bar that stays at the top names the step in view, with
// a link to every step.

const $ = (id) => document.getElementById(id);

/** The steps a person can see now, in order: each section with a numbered heading. */
function visibleSteps() {
  return [...document.querySelectorAll("main section")].filter(
    (section) => !section.hidden && !section.closest("[hidden]") && section.querySelector(".step-number"),
  );
}

/** The heading's words without its number. */
const titleOf = (section) => [...section.querySelector("h2").childNodes].filter((n) => !n.classList?.contains("step-number")).map((n) => n.textContent).join("").trim();

let inView = null;

/** Marks the step in view in the bar, and says it in words. */
function showCurrent() {
  const steps = visibleSteps();
  const index = Math.max(0, steps.indexOf(inView));
  const current = steps[index];
  for (const link of $("step-nav").querySelectorAll("a")) {
    if (link.hash === `#${current?.querySelector("h2").id}`) link.setAttribute("aria-current", "step");
    else link.removeAttribute("aria-current");
  }
  $("step-now").textContent = current ? `Step ${index + 1} of ${steps.length}: ${titleOf(current)}` : "";
}

/** Numbers the visible steps and lists them in the bar; call after any step is shown or hidden. */
export function numberSteps() {
  const steps = visibleSteps();
  steps.forEach((section, i) => {
    section.querySelector(".step-number").textContent = String(i + 1);
  });
  const list = $("step-links");
  list.replaceChildren(
    ...steps.map((section, i) => {
      const heading = section.querySelector("h2");
      const link = Object.assign(document.createElement("a"), { href: `#${heading.id}`, textContent: String(i + 1), title: titleOf(section) });
      link.setAttribute("aria-label", `Step ${i + 1}: ${titleOf(section)}`);
      const item = document.createElement("li");
      item.append(link);
      return item;
    }),
  );
  observe(steps);
  showCurrent();
}

let observer = null;

/** The step in view is the one whose top part crosses the upper third of the window. */
function observe(steps) {
  observer?.disconnect();
  observer = new IntersectionObserver(
    (entries) => {
      const crossing = entries.filter((e) => e.isIntersecting).map((e) => e.target);
      if (crossing.length === 0) return;
      inView = crossing.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0];
      showCurrent();
    },
    { rootMargin: "-20% 0px -70% 0px" },
  );
  for (const section of steps) observer.observe(section);
}

// A link in the bar moves focus to the step's heading, so that keyboard and screen reader users
// land where they asked to go.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("#step-links a");
  if (!link) return;
  const heading = document.querySelector(link.hash);
  if (!heading) return;
  event.preventDefault();
  if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
  heading.scrollIntoView({ block: "start" });
  heading.focus({ preventScroll: true });
  inView = heading.closest("section");
  showCurrent();
});
