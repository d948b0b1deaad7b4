import { LIMITS } from '@tokki/protocol';
import { TokkiClient, type MethodResult } from '@tokki/sdk';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Logo } from '../components/Logo';
import { errorText } from '../lib/errors';
import { store, useAppState } from '../lib/store';

interface Country {
  id: string;
  /** Calling code with +, or '' for "type the whole international number". */
  code: string;
  /** Whether numbers there are written with a trunk 0 that the international form drops. */
  trunkZero: boolean;
}

const COUNTRIES: Country[] = [
  { id: 'KR', code: '+82', trunkZero: true },
  { id: 'JP', code: '+81', trunkZero: true },
  { id: 'US', code: '+1', trunkZero: false },
  { id: 'GB', code: '+44', trunkZero: true },
  { id: 'CN', code: '+86', trunkZero: false },
  { id: 'TW', code: '+886', trunkZero: true },
  { id: 'VN', code: '+84', trunkZero: true },
  { id: 'DE', code: '+49', trunkZero: true },
];
const TEST: Country = { id: 'TEST', code: '+99966', trunkZero: false };
const OTHER: Country = { id: 'OTHER', code: '', trunkZero: false };

/** The country of the browser's language tag when we list it, else Korea. */
function defaultCountry(): string {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const region = tag?.split('-')[1]?.toUpperCase();
    if (region && COUNTRIES.some((c) => c.id === region)) return region;
    if (tag?.toLowerCase().startsWith('ja')) return 'JP';
  }
  return 'KR';
}

/** What to send: a typed "+…" number as it is, else the calling code and the national number. */
export function internationalNumber(country: Country, typed: string): string {
  const trimmed = typed.trim();
  if (trimmed.startsWith('+') || !country.code) return trimmed;
  let digits = trimmed.replace(/\D/g, '');
  if (country.trunkZero && digits.startsWith('0')) digits = digits.slice(1);
  return `${country.code}${digits}`;
}

/** "Chrome · Android": how this device appears in the devices list. */
function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return `Tokki Web · ${browser}${os ? ` · ${os}` : ''}`.slice(0, LIMITS.DEVICE_NAME_MAX);
}

type Step =
  | { name: 'phone' }
  | { name: 'code'; phone: string; codeLength: number }
  | { name: 'profile'; result: MethodResult<'auth.signIn'> };

export function SignIn() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const info = useAppState((s) => s.serverInfo);
  const client = useMemo(() => store.signInClient(), []);
  const [step, setStep] = useState<Step>({ name: 'phone' });
  const [countryId, setCountryId] = useState(defaultCountry);
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resendAt, setResendAt] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const codeRef = useRef<HTMLInputElement>(null);

  const regionNames = useMemo(() => {
    try {
      return new Intl.DisplayNames([lng], { type: 'region' });
    } catch {
      return undefined;
    }
  }, [lng]);

  const countries = info?.testNumbers ? [...COUNTRIES, TEST, OTHER] : [...COUNTRIES, OTHER];
  const country = countries.find((c) => c.id === countryId) ?? COUNTRIES[0]!;

  useEffect(() => {
    if (resendAt <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), 1000);
    return () => clearTimeout(timer);
  }, [resendAt, now]);

  const requestCode = async (target: string) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const result = await client.requestCode(target);
      setStep({ name: 'code', phone: result.phone, codeLength: result.codeLength });
      setResendAt(Date.now() + 30_000);
      setNow(Date.now());
      return true;
    } catch (e) {
      setError(errorText(t, e, lng));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const onPhone = async (event: FormEvent) => {
    event.preventDefault();
    if (!phone.trim()) return;
    await requestCode(internationalNumber(country, phone));
  };

  const onCode = async (event: FormEvent) => {
    event.preventDefault();
    if (step.name !== 'code' || !code.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const result = await client.signIn({
        phone: step.phone,
        code: code.trim(),
        deviceName: deviceName(),
      });
      if (result.newUser) {
        setStep({ name: 'profile', result });
        setBusy(false);
      } else {
        await store.completeSignIn(result);
      }
    } catch (e) {
      setError(errorText(t, e, lng));
      setBusy(false);
      codeRef.current?.select();
    }
  };

  const onProfile = async (event: FormEvent, skip = false) => {
    event.preventDefault();
    if (step.name !== 'profile') return;
    setBusy(true);
    setError(null);
    let result = step.result;
    const displayName = name.trim();
    if (!skip && displayName && displayName !== result.me.displayName) {
      try {
        const signedIn = new TokkiClient({ server: location.origin, token: result.token });
        const me = await signedIn.call('profile.update', { displayName });
        result = { ...result, me };
      } catch (e) {
        setError(errorText(t, e, lng));
        setBusy(false);
        return;
      }
    }
    await store.completeSignIn(result);
  };

  const localHint = info?.mode === 'local' && (
    <div className="hint-box" role="note">
      <p>{t('signIn.localMode')}</p>
      {info.testNumbers && <p>{t('signIn.testNumbers')}</p>}
    </div>
  );

  const placeholder =
    country.id === 'OTHER'
      ? t('signIn.phonePlaceholderOther')
      : country.id === 'TEST'
        ? t('signIn.phonePlaceholderTest')
        : country.id === 'KR' || country.id === 'JP'
          ? t('signIn.phonePlaceholder')
          : '';

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <div className="sign-in-brand">
          <Logo size={72} />
          <h1 className="sign-in-welcome">{t('signIn.welcome')}</h1>
          <p className="sign-in-tagline">{t('signIn.tagline')}</p>
        </div>

        {step.name === 'phone' && (
          <form className="form" onSubmit={(event) => void onPhone(event)} noValidate>
            <h2 className="form-title">{t('signIn.phoneTitle')}</h2>
            <label className="field">
              <span className="field-label">{t('signIn.country')}</span>
              <select
                className="input"
                value={country.id}
                onChange={(e) => setCountryId(e.target.value)}
              >
                {countries.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.id === 'TEST'
                      ? t('signIn.countryTest')
                      : c.id === 'OTHER'
                        ? t('signIn.countryOther')
                        : `${regionNames?.of(c.id) ?? c.id} (${c.code})`}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field-label">{t('signIn.phone')}</span>
              <span className="phone-row">
                {/* A number typed with its own + code is sent as it is: no prefix then. */}
                {country.code && !phone.trim().startsWith('+') && (
                  <span className="phone-prefix" aria-hidden="true">
                    {country.code}
                  </span>
                )}
                <input
                  className="input"
                  type="tel"
                  name="phone"
                  inputMode="tel"
                  autoComplete="tel"
                  placeholder={placeholder}
                  value={phone}
                  onChange={(e) => setPhone(e.target.value)}
                  autoFocus
                  required
                />
              </span>
            </label>
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
            <button className="button block" type="submit" disabled={busy || !phone.trim()}>
              {t('signIn.next')}
            </button>
            {localHint}
          </form>
        )}

        {step.name === 'code' && (
          <form className="form" onSubmit={(event) => void onCode(event)} noValidate>
            <h2 className="form-title">{t('signIn.codeTitle')}</h2>
            <p className="form-text">
              {t('signIn.codeSent', { length: step.codeLength, phone: step.phone })}
            </p>
            <label className="field">
              <span className="field-label">{t('signIn.code')}</span>
              <input
                ref={codeRef}
                className="input code-input"
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]*"
                maxLength={16}
                value={code}
                onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
                autoFocus
                required
              />
            </label>
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
            {notice && (
              <p className="form-notice" role="status">
                {notice}
              </p>
            )}
            <button className="button block" type="submit" disabled={busy || !code.trim()}>
              {t('signIn.submit')}
            </button>
            <div className="form-links">
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setStep({ name: 'phone' });
                  setCode('');
                  setError(null);
                  setNotice(null);
                }}
              >
                {t('signIn.changeNumber')}
              </button>
              <button
                type="button"
                className="link-button"
                disabled={busy || resendAt > now}
                onClick={() => {
                  void requestCode(step.phone).then((sent) => {
                    if (sent) setNotice(t('signIn.resent'));
                  });
                }}
              >
                {resendAt > now
                  ? t('signIn.resendIn', { seconds: Math.ceil((resendAt - now) / 1000) })
                  : t('signIn.resend')}
              </button>
            </div>
            {localHint}
          </form>
        )}

        {step.name === 'profile' && (
          <form className="form" onSubmit={(e) => void onProfile(e)} noValidate>
            <h2 className="form-title">{t('signIn.profileTitle')}</h2>
            <label className="field">
              <span className="field-label">{t('signIn.displayName')}</span>
              <input
                className="input"
                name="displayName"
                autoComplete="nickname"
                maxLength={LIMITS.DISPLAY_NAME_MAX}
                placeholder={step.result.me.displayName}
                value={name}
                onChange={(e) => setName(e.target.value)}
                autoFocus
              />
            </label>
            <p className="form-text">{t('signIn.displayNameHint')}</p>
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
            <button className="button block" type="submit" disabled={busy}>
              {t('signIn.continue')}
            </button>
            <div className="form-links">
              <button
                type="button"
                className="link-button"
                disabled={busy}
                onClick={(e) => void onProfile(e, true)}
              >
                {t('signIn.skip')}
              </button>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}
