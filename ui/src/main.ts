import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { commands } from "./lib/bindings";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
mount(App, { target });

// Two animation frames after mounting, the first frame has been painted and takes
// input: tell the shell, which logs the launch time (and the measure script reads it).
requestAnimationFrame(() => requestAnimationFrame(() => void commands.frontendReady()));
