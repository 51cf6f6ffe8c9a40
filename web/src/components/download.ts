/** Saves text or a data URL as a file, without a server. */
export function download(name: string, content: string | Blob, type = "text/plain"): void {
  const blob = typeof content === "string" ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadDataUrl(name: string, dataUrl: string): void {
  const link = document.createElement("a");
  link.href = dataUrl;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}
