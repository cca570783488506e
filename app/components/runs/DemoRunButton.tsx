'use client';

import { useRouter } from 'next/navigation';
import { useMutation } from '@tanstack/react-query';
import { errorInfo, useTRPC } from '@/app/trpc';

/** "Run the demo experiment": a new experiment from the demo preset, launched, then its live run page. */
export function DemoRunButton({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const demo = useMutation(trpc.dashboards.runDemo.mutationOptions({ onSuccess: (r) => router.push(`/runs/${r.runId}`) }));
  return (
    <div className="stack-tight">
      <button type="button" className="button button-large" onClick={() => demo.mutate({ workspaceId, preset: 'demo' })} disabled={demo.isPending} data-testid="run-demo">
        Run the demo experiment
      </button>
      <p className="small muted">16 identities, 64 px images, a small ResNet-10 and all four analyses: a finished dashboard in a few minutes on a laptop.</p>
      {demo.error && <p className="alert alert-error">{errorInfo(demo.error).message}</p>}
    </div>
  );
}
