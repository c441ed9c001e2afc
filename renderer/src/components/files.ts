/** The last part of a path, whichever separator the OS uses. */
export function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

/** A dropped or pasted picture as base64 (for methods that take bytes rather than a path). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*;base64,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('The picture could not be read.'));
    reader.readAsDataURL(file);
  });
}
