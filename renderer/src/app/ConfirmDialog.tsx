/**
 * A confirmation dialog (role="dialog", aria-modal): the question, a confirm button with its
 * action as its name ("Delete"), Cancel; Esc or Cancel closes it, Enter on the focused button
 * activates it, the focus starts on Cancel (a destructive action needs a deliberate choice)
 * and returns where it was.
 */
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';

interface Pending {
  message: string;
  confirmLabel: string;
  resolve(ok: boolean): void;
}

/** `[dialog, ask]`: render `dialog`; `await ask(message, 'Delete')` is true when confirmed. */
export function useConfirm(): [ReactNode, (message: string, confirmLabel: string) => Promise<boolean>] {
  const [pending, setPending] = useState<Pending | undefined>();
  const ask = useCallback(
    (message: string, confirmLabel: string) =>
      new Promise<boolean>((resolve) => {
        setPending({ message, confirmLabel, resolve });
      }),
    [],
  );
  const close = (ok: boolean): void => {
    pending?.resolve(ok);
    setPending(undefined);
  };
  const dialog = pending ? <ConfirmDialog message={pending.message} confirmLabel={pending.confirmLabel} onClose={close} /> : null;
  return [dialog, ask];
}

function ConfirmDialog({ message, confirmLabel, onClose }: { message: string; confirmLabel: string; onClose(ok: boolean): void }) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    cancelRef.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-text"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onClose(false);
          }
          if (e.key === 'Tab') {
            // keep the focus inside the two buttons
            const buttons = [...e.currentTarget.querySelectorAll('button')];
            const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
            e.preventDefault();
            buttons[(at + (e.shiftKey ? buttons.length - 1 : 1)) % buttons.length]?.focus();
          }
        }}
      >
        <p id="confirm-text">{message}</p>
        <div className="form-actions">
          <button type="button" className="danger" onClick={() => onClose(true)}>
            {confirmLabel}
          </button>
          <button type="button" ref={cancelRef} onClick={() => onClose(false)}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
