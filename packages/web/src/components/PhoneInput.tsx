import type { ReactNode } from 'react';

interface PhoneInputProps {
  value: string;
  onChange: (value: string) => void;
  autoFocus?: boolean;
  /** The submit button beside the field. */
  children: ReactNode;
}

/** A phone-number field with its submit button beside it, for finding or inviting someone. */
export function PhoneInput({ value, onChange, autoFocus, children }: PhoneInputProps) {
  return (
    <span className="input-row">
      <input
        className="input"
        type="tel"
        name="phone"
        inputMode="tel"
        autoComplete="off"
        placeholder="+82 10-1234-5678"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoFocus={autoFocus}
      />
      {children}
    </span>
  );
}
