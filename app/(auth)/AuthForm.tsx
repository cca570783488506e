'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorInfo, useTRPC } from '../trpc';
import { Field, FormMessage } from '../components/Field';
import { safeNext } from './safe-next';


export function AuthForm({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const onSuccess = () => {
    queryClient.clear();
    router.push(safeNext(params.get('next')));
  };
  const signIn = useMutation(trpc.auth.signIn.mutationOptions({ onSuccess }));
  const signUp = useMutation(trpc.auth.signUp.mutationOptions({ onSuccess }));
  const m = mode === 'sign-in' ? signIn : signUp;
  const { message, fields } = errorInfo(m.error);
  // Route a server message to the field it concerns.
  const passwordError = fields.password ?? (/password/i.test(message) ? message : undefined);
  const emailError = fields.email ?? (/email/i.test(message) && !passwordError ? message : undefined);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (mode === 'sign-in') signIn.mutate({ email, password });
    else signUp.mutate({ email, password, name: name || undefined });
  }

  const title = mode === 'sign-in' ? 'Sign in' : 'Create your account';
  return (
    <div className="card auth-card">
      <h1>{title}</h1>
      <form onSubmit={submit} noValidate aria-label={title}>
        {mode === 'sign-up' && <Field id="name" label="Name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />}
        <Field
          id="email"
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={emailError}
        />
        <Field
          id="password"
          label="Password"
          type="password"
          autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={passwordError}
          hint={mode === 'sign-up' ? 'At least 10 characters, mixing letters with digits or symbols.' : undefined}
        />
        <FormMessage error={!emailError && !passwordError ? message : undefined} />
        <button type="submit" className="button" disabled={m.isPending}>
          {m.isPending ? 'Please wait…' : title}
        </button>
      </form>
      <p className="muted">
        {mode === 'sign-in' ? (
          <>
            New to Deeper? <Link href={`/sign-up${params.get('next') ? `?next=${encodeURIComponent(params.get('next')!)}` : ''}`}>Create an account</Link>
          </>
        ) : (
          <>
            Already have an account? <Link href="/sign-in">Sign in</Link>
          </>
        )}
      </p>
    </div>
  );
}
