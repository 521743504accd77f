// The page between the wizard and GitHub: it posts the app's manifest to GitHub as soon as it
// loads (the person then reviews the app there), and keeps its button for a browser that waits.

const form = document.getElementById("github-app-manifest-form");
if (form) form.submit();
