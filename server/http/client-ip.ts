/** The client address: first hop of x-forwarded-for (Next's server sets it), else x-real-ip. */
export function clientIp(headers: Headers): string {
  const xff = headers.get('x-forwarded-for');
  const first = xff?.split(',')[0]?.trim();
  return (first || headers.get('x-real-ip') || 'unknown').slice(0, 64);
}
