/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (ch) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[
        ch
      ] as string,
  );
}

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f0f2f5; color: #1c1e21; margin: 0; }
  .banner { background: #1877f2; color: #fff; padding: 10px 16px; font-weight: 600; }
  .banner small { font-weight: 400; opacity: .85; margin-left: 8px; }
  main { max-width: 560px; margin: 32px auto; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.15); padding: 24px; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  p { line-height: 1.45; }
  label.choice { display: flex; gap: 12px; align-items: center; padding: 10px; border: 1px solid #dddfe2; border-radius: 6px; margin: 8px 0; cursor: pointer; }
  label.choice.disabled { opacity: .55; cursor: not-allowed; }
  .muted { color: #65676b; font-size: 13px; }
  .actions { display: flex; gap: 8px; justify-content: flex-end; margin-top: 20px; }
  button { font: inherit; border: 0; border-radius: 6px; padding: 8px 16px; cursor: pointer; }
  button.primary { background: #1877f2; color: #fff; }
  button.secondary { background: #e4e6eb; color: #050505; }
  .error { border-left: 4px solid #e41e3f; padding-left: 12px; }
  code { background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
</style>
</head>
<body>
<div class="banner">InstantChat Meta sandbox<small>a local stand-in for Facebook and Instagram — not Meta</small></div>
${body}
</body>
</html>`;
}
