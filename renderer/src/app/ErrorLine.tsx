import type { ApiError } from '../../../shared/api/contract.js';

/** One error sentence, announced to screen readers. */
export function ErrorLine({ error }: { error: ApiError | string | undefined }) {
  if (!error) return null;
  const message = typeof error === 'string' ? error : error.message;
  const code = typeof error === 'string' ? undefined : error.code;
  return (
    <p className="error-line" role="alert" data-code={code}>
      {message}
    </p>
  );
}
