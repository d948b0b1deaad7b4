/** What a form says after an action: an error (announced at once) or a notice. */
export interface FormMessageValue {
  error: boolean;
  text: string;
}

export function FormMessage({ message }: { message: FormMessageValue | null }) {
  if (!message) return null;
  return (
    <p
      className={message.error ? 'form-error' : 'form-notice'}
      role={message.error ? 'alert' : 'status'}
    >
      {message.text}
    </p>
  );
}
