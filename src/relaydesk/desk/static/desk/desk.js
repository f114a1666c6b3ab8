// Small progressive enhancements for the desk; every page works without them.
"use strict";

// Grow each message's sandboxed frame to its content so the page, not the
// frame, scrolls. The frame has allow-same-origin (never allow-scripts), which
// lets this script read its height.
function fitFrame(frame) {
  const doc = frame.contentDocument;
  if (doc && doc.documentElement) {
    frame.style.height = doc.documentElement.scrollHeight + 16 + "px";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const frame of document.querySelectorAll("iframe.message-frame")) {
    frame.addEventListener("load", () => fitFrame(frame));
    fitFrame(frame);
    const details = frame.closest("details");
    if (details) {
      details.addEventListener("toggle", () => fitFrame(frame));
    }
  }
});
