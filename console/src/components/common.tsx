import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../api/client.ts';
import { absoluteTime, relativeTime } from '../logic/format.ts';
import { statusTone } from '../logic/status.ts';

/** A status in words, with its colour as a second signal (never the only one). */
export const StatusBadge = ({ status }: { status: string }) => (
  <span class={`status status-${statusTone(status)}`}>
    <span class="status-dot" aria-hidden="true" />
    {status}
  </span>
);

/** An API error in words, announced to screen readers as it appears. */
export const ErrorNote = ({ error }: { error?: ApiError | string | undefined }) =>
  error ? (
    <p class="error-note" role="alert">
      {typeof error === 'string' ? error : error.message}
    </p>
  ) : null;

export const Time = ({ iso }: { iso: string }) => (
  <time dateTime={iso} title={absoluteTime(iso)}>
    {relativeTime(iso)}
  </time>
);

export interface ConfirmProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: ApiError | string | undefined;
  onConfirm: () => void;
  onClose: () => void;
  children: ComponentChildren;
}

/** Focus on the page's heading (`tabIndex={-1}`), for when the focused control is disabled or gone. */
export const focusPageHeading = (): void => document.querySelector<HTMLElement>('main h1')?.focus();

/**
 * A modal confirmation (the platform's `<dialog>`: focus moves into it and stays there, Escape
 * closes it). Dismissed, focus returns to the button that opened it; confirmed, to the page's
 * heading, since the action usually disables or removes that button (focus would fall to
 * `<body>`). While busy the confirm button is only aria-disabled: a disabled button would drop
 * the focus it holds.
 */
export const ConfirmDialog = (props: ConfirmProps) => {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    // Dismissals close the dialog themselves (Escape, "Keep it"), so a close from here follows
    // a confirmed action.
    if (!props.open && dialog.open) {
      dialog.close();
      focusPageHeading();
    }
  }, [props.open]);
  const titleId = `dialog-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={props.onClose}>
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (!props.busy) props.onConfirm();
        }}
      >
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
        <ErrorNote error={props.error} />
        <div class="dialog-actions">
          <button type="button" onClick={() => ref.current?.close()}>
            Keep it
          </button>
          <button type="submit" class={props.danger ? 'danger' : 'primary'} aria-disabled={props.busy}>
            {props.busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
};

export const Pager = ({
  page,
  pages,
  label,
  onPage,
}: {
  page: number;
  pages: number;
  label: string;
  onPage: (page: number) => void;
}) =>
  pages <= 1 ? null : (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span aria-live="polite">
        Page {page} of {pages}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );

/**
 * A table's box, scrolling sideways when the table is wider than the screen (360 px phones):
 * focusable, so a keyboard can scroll it too, and named after its table.
 */
export const TableBox = ({ label, children }: { label: string; children: ComponentChildren }) => (
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard to be scrolled (WCAG 2.1.1)
  <section class="table-wrap" aria-label={label} tabIndex={0}>
    {children}
  </section>
);
