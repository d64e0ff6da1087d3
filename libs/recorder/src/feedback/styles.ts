/**
 * The widget's own styles, inside its shadow root: the page's styles do not reach in and these do
 * not leak out. Sizes are in px, since the page may change the root font size. `--accent` and
 * `--on-accent` come from the survey's colour.
 */
export const WIDGET_CSS = `
:host { all: initial; }
.root {
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1b1e24;
  -webkit-text-size-adjust: 100%;
}
.root *, .root *::before, .root *::after { box-sizing: border-box; }
.card {
  position: relative;
  width: 360px;
  max-width: calc(100vw - 24px);
  background: #fff;
  border: 1px solid #d5d9e0;
  border-radius: 10px;
  box-shadow: 0 8px 28px rgba(20, 24, 31, 0.18);
  padding: 16px 16px 14px;
  pointer-events: auto;
}
.inline .card { width: auto; max-width: none; box-shadow: none; }
.card:focus { outline: none; }
.card:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
form { margin: 0; }
fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
legend, .question { display: block; padding: 0 28px 0 0; margin: 0 0 12px; font-size: 15px; font-weight: 600; line-height: 1.35; }
.inline legend, .inline .question { padding-right: 0; }
.scale { display: grid; grid-template-columns: repeat(var(--points), minmax(0, 1fr)); gap: 4px; }
.scale label {
  position: relative;
  display: flex; align-items: center; justify-content: center;
  min-height: 34px;
  border: 1px solid #c3c8d1; border-radius: 6px;
  background: #f6f7f9;
  font-weight: 600; cursor: pointer; user-select: none;
}
.scale label:hover { border-color: var(--accent); }
.scale input { position: absolute; inset: 0; width: 100%; height: 100%; margin: 0; opacity: 0; cursor: pointer; }
.scale input:focus-visible + span { outline: 2px solid var(--accent); outline-offset: 3px; border-radius: 4px; }
.scale input:checked + span { color: var(--on-accent); }
.scale label:has(input:checked) { background: var(--accent); border-color: var(--accent); color: var(--on-accent); }
.ends { display: flex; justify-content: space-between; gap: 12px; margin-top: 6px; color: #5c6370; font-size: 12px; }
.actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 12px; }
button {
  font: inherit; cursor: pointer;
  border-radius: 6px; padding: 7px 14px;
  border: 1px solid #c3c8d1; background: #fff; color: #1b1e24;
}
button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--on-accent); font-weight: 600; }
button.close {
  position: absolute; top: 8px; right: 8px;
  width: 30px; height: 30px; padding: 0;
  border: 0; background: transparent; color: #5c6370; font-size: 20px; line-height: 30px;
}
button.close:hover { color: #1b1e24; }
label.comment-label { display: block; font-weight: 600; margin: 0 0 8px; padding-right: 28px; }
textarea {
  display: block; width: 100%; min-height: 76px; resize: vertical;
  font: inherit; color: inherit; background: #fff;
  border: 1px solid #c3c8d1; border-radius: 6px; padding: 8px;
}
textarea:focus { outline: 2px solid var(--accent); outline-offset: 1px; border-color: var(--accent); }
.count { color: #5c6370; font-size: 12px; margin-top: 4px; text-align: right; }
.thanks { margin: 4px 28px 4px 0; font-size: 15px; font-weight: 600; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.launcher {
  pointer-events: auto;
  background: var(--accent); border-color: var(--accent); color: var(--on-accent);
  font-weight: 600; border-radius: 20px; padding: 9px 16px;
  box-shadow: 0 4px 14px rgba(20, 24, 31, 0.2);
}
.stack { display: flex; flex-direction: column; gap: 10px; align-items: flex-end; }
.top .stack { flex-direction: column-reverse; }
.left .stack { align-items: flex-start; }
@media (max-width: 480px) {
  .floating .card { width: calc(100vw - 16px); }
  .scale { grid-template-columns: repeat(var(--points-narrow), minmax(0, 1fr)); }
}
@media (prefers-reduced-motion: no-preference) {
  .floating .card { animation: loupe-in 160ms ease-out; }
  @keyframes loupe-in { from { opacity: 0; transform: translateY(6px); } to { opacity: 1; transform: none; } }
}
`;
