import { useEffect, useRef, type MouseEvent, type RefObject, type SyntheticEvent } from 'react';

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

/**
 * How a modal is dismissed: Escape (the dialog's `cancel`, kept open for React to close) and a
 * click on the backdrop — the dialog itself, outside its content.
 *
 * @example <dialog ref={ref} {...dismissible(ref, onClose)}>…</dialog>
 */
export function dismissible(ref: RefObject<HTMLDialogElement | null>, onDismiss: () => void) {
  return {
    onCancel: (event: SyntheticEvent) => {
      event.preventDefault();
      onDismiss();
    },
    onClick: (event: MouseEvent) => {
      if (event.target === ref.current) onDismiss();
    },
  };
}
