import { useEffect, useRef } from 'react';

/**
 * A native `<dialog>` shown as a modal while `open` (focus stays inside, Escape cancels) and
 * closed otherwise. `focus` names the element to focus on opening (a menu's first item);
 * without it the browser focuses the first focusable element.
 */
export function useModal(open: boolean, focus?: string) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      if (focus) dialog.querySelector<HTMLElement>(focus)?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open, focus]);
  return ref;
}
