'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, formatDate, useTRPC } from '../../../trpc';
import { Field, FormMessage } from '../../../components/Field';

const PAGE_SIZE = 10;

export function Experiments({ workspaceId, canEdit }: { workspaceId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState<'active' | 'archived' | 'all'>('active');
  const [page, setPage] = useState(1);
  const [name, setName] = useState('');

  // Search as the user types, a moment after they stop.
  useEffect(() => {
    const t = setTimeout(() => {
      setSearch(searchInput.trim());
      setPage(1);
    }, 250);
    return () => clearTimeout(t);
  }, [searchInput]);

  const list = useQuery({
    ...trpc.experiment.list.queryOptions({ workspaceId, search: search || undefined, archived, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const create = useMutation(
    trpc.experiment.create.mutationOptions({
      onSuccess: async (e) => {
        await queryClient.invalidateQueries({ queryKey: trpc.experiment.list.queryKey() });
        router.push(`/experiments/${e.id}`);
      },
    }),
  );
  const { message, fields } = errorInfo(create.error);
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ workspaceId, config: { name } });
  }

  return (
    <section aria-labelledby="experiments-heading" className="card">
      <h2 id="experiments-heading">Experiments</h2>
      <div className="toolbar" role="search">
        <Field id="experiment-search" label="Search experiments" type="search" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} />
        <div className="field">
          <label htmlFor="experiment-filter">Show</label>
          <select
            id="experiment-filter"
            value={archived}
            onChange={(e) => {
              setArchived(e.target.value as typeof archived);
              setPage(1);
            }}
          >
            <option value="active">Active</option>
            <option value="archived">Archived</option>
            <option value="all">All</option>
          </select>
        </div>
      </div>
      {list.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.data?.items.length ? (
        <table className="table" data-testid="experiment-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((e) => (
              <tr key={e.id}>
                <td>
                  <Link href={`/experiments/${e.id}`}>{e.name}</Link>
                  {e.archivedAt && <span className="badge">archived</span>}
                  {e.description && <div className="muted small">{e.description.slice(0, 120)}</div>}
                </td>
                <td className="nowrap">{formatDate(e.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{search ? `No experiments match “${search}”.` : 'No experiments yet.'}</p>
      )}
      {list.data && list.data.total > PAGE_SIZE && (
        <nav aria-label="Pagination" className="pagination">
          <button type="button" className="button button-quiet" onClick={() => setPage((p) => p - 1)} disabled={page <= 1}>
            Previous
          </button>
          <span aria-live="polite">
            Page {page} of {pages} · {list.data.total} experiments
          </span>
          <button type="button" className="button button-quiet" onClick={() => setPage((p) => p + 1)} disabled={page >= pages}>
            Next
          </button>
        </nav>
      )}
      {canEdit && (
        <form onSubmit={submit} className="inline-form" aria-label="Create an experiment">
          <Field id="new-experiment" label="New experiment" placeholder="e.g. Shape vs texture" value={name} onChange={(e) => setName(e.target.value)} error={fields['config.name']} />
          <button type="submit" className="button" disabled={create.isPending}>
            Create experiment
          </button>
        </form>
      )}
      <FormMessage error={fields['config.name'] ? undefined : message} />
    </section>
  );
}
