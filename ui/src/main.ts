import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { commands } from "./lib/bindings";
import { applyDesktopFont, givenDesktopFont } from "./lib/desktopFont";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
// Before the first frame, so its text is already in the desktop's font.
applyDesktopFont(document.documentElement, givenDesktopFont());
mount(App, { target });

// Two animation frames after mounting, the first frame has been painted and takes
// input: tell the shell, which logs the launch time (and the measure script reads it).
requestAnimationFrame(() => requestAnimationFrame(() => void commands.frontendReady()));
