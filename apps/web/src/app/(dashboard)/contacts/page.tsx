"use client";
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useToast } from "@/components/toast";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorNote,
  Field,
  formatDate,
  Input,
  PageHeader,
  Select,
  SkeletonRows,
  TextField,
  td,
  th,
} from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";
import { ImportPanel, splitTags } from "./import-panel";

export default function ContactsPage() {
  const trpc = useTRPC();
  const toast = useToast();
  const [search, setSearch] = useState("");
  const [tag, setTag] = useState("");
  const [listId, setListId] = useState("");
  const filter = {
    search: search || undefined,
    tag: tag || undefined,
    listId: listId || undefined,
    limit: 50,
  };
  const contacts = useInfiniteQuery(
    trpc.contacts.list.infiniteQueryOptions(filter, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      placeholderData: keepPreviousData,
    }),
  );
  const filtered = Boolean(search || tag || listId);
  const tags = useQuery(trpc.contacts.tags.queryOptions());
  const lists = useQuery(trpc.contacts.lists.queryOptions());
  const refresh = () => {
    void contacts.refetch();
    void tags.refetch();
    void lists.refetch();
  };
  const onError = (e: unknown) => toast(errorMessage(e), "error");
  const [phone, setPhone] = useState("");
  const [name, setName] = useState("");
  const [newTags, setNewTags] = useState("");
  const [newList, setNewList] = useState("");
  const create = useMutation(
    trpc.contacts.create.mutationOptions({
      onSuccess: (c) => {
        setPhone("");
        setName("");
        setNewTags("");
        toast(`Added ${c.phone}`, "success");
        refresh();
      },
      onError,
    }),
  );
  const update = useMutation(
    trpc.contacts.update.mutationOptions({
      onSuccess: (c) => {
        toast(c.optedOut ? `${c.phone} opted out` : `${c.phone} opted back in`, "success");
        refresh();
      },
      onError,
    }),
  );
  const remove = useMutation(
    trpc.contacts.delete.mutationOptions({
      onSuccess: () => {
        toast("Contact deleted", "success");
        refresh();
      },
      onError,
    }),
  );
  const createList = useMutation(
    trpc.contacts.createList.mutationOptions({
      onSuccess: () => {
        setNewList("");
        refresh();
      },
      onError,
    }),
  );
  const errors = fieldErrors(create.error);
  const rows = contacts.data?.pages.flatMap((p) => p.items) ?? [];

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      phone,
      name: name || undefined,
      customFields: {},
      tags: splitTags(newTags),
      defaultCountry: "BR",
    });
  };

  return (
    <>
      <PageHeader
        title="Contacts"
        description="Import, search and organise the people your campaigns reach. Opted-out contacts are never messaged."
      />
      <ImportPanel lists={lists.data ?? []} onDone={refresh} />
      <div className="mb-6 grid gap-6 md:grid-cols-2">
        <Card title="Add a contact">
          <form onSubmit={onCreate} className="grid gap-3 md:grid-cols-3">
            <TextField
              label="Phone"
              error={errors.phone}
              value={phone}
              onValue={setPhone}
              placeholder="(11) 98765-4321"
            />
            <Field label="Name" error={errors.name}>
              {(id) => <Input id={id} value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field label="Tags" error={errors.tags}>
              {(id) => (
                <Input
                  id={id}
                  value={newTags}
                  placeholder="vip, 2026"
                  onChange={(e) => setNewTags(e.target.value)}
                />
              )}
            </Field>
            <div className="md:col-span-3">
              <Button type="submit" busy={create.isPending}>
                Add contact
              </Button>
            </div>
          </form>
        </Card>
        <Card title="Lists">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              createList.mutate({ name: newList });
            }}
            className="mb-3 flex gap-2"
          >
            <Input
              aria-label="New list name"
              value={newList}
              onChange={(e) => setNewList(e.target.value)}
              placeholder="New list"
            />
            <Button type="submit" tone="secondary" busy={createList.isPending}>
              Create
            </Button>
          </form>
          {lists.data?.length === 0 ? (
            <p className="text-sm text-slate-500">
              No lists yet. A list groups contacts for a campaign; imports can fill one.
            </p>
          ) : null}
          <ul className="flex flex-wrap gap-2 text-xs">
            {lists.data?.map((l) => (
              <li key={l.id}>
                <Badge>
                  {l.name} · {l.members}
                </Badge>
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Card title="All contacts">
        <div className="mb-4 grid gap-3 md:grid-cols-3">
          <Input
            type="search"
            aria-label="Search contacts"
            placeholder="Search by name or phone"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <Select aria-label="Tag" value={tag} onChange={(e) => setTag(e.target.value)}>
            <option value="">All tags</option>
            {tags.data?.map((t) => (
              <option key={t.tag} value={t.tag}>
                {t.tag} ({t.count})
              </option>
            ))}
          </Select>
          <Select aria-label="List" value={listId} onChange={(e) => setListId(e.target.value)}>
            <option value="">All lists</option>
            {lists.data?.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </Select>
        </div>
        <ErrorNote error={contacts.error} />
        {contacts.isPending ? (
          <SkeletonRows />
        ) : rows.length === 0 ? (
          <EmptyState
            title={filtered ? "No contacts match" : "No contacts yet"}
            description={
              filtered ? "Try another search, tag or list." : "Import a CSV above or add a contact by hand."
            }
          />
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-100" data-testid="contacts-table">
              <thead>
                <tr>
                  <th className={th}>Name</th>
                  <th className={th}>Phone</th>
                  <th className={th}>Fields</th>
                  <th className={th}>Tags</th>
                  <th className={th}>Status</th>
                  <th className={th}>Last message</th>
                  <th className={th} />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-50">
                {rows.map((c) => (
                  <tr key={c.id}>
                    <td className={td}>{c.name ?? "—"}</td>
                    <td className={`${td} font-mono`}>{c.phone}</td>
                    <td className={`${td} text-xs text-slate-600`}>
                      {Object.entries(c.customFields).map(([k, v]) => (
                        <span key={k} className="mr-2 whitespace-nowrap">
                          <span className="text-slate-400">{k}</span> {String(v)}
                        </span>
                      ))}
                    </td>
                    <td className={`${td} space-x-1`}>
                      {c.tags.map((t) => (
                        <Badge key={t}>{t}</Badge>
                      ))}
                    </td>
                    <td className={td}>
                      {c.optedOut ? <Badge tone="red">Opted out</Badge> : <Badge tone="green">Active</Badge>}
                    </td>
                    <td className={`${td} whitespace-nowrap text-xs text-slate-600`}>
                      <LastMessage inbound={c.lastInboundAt} outbound={c.lastOutboundAt} />
                    </td>
                    <td className={`${td} space-x-2 text-right`}>
                      <Button
                        size="sm"
                        tone="secondary"
                        aria-label={`${c.optedOut ? "Opt back in" : "Opt out"} ${c.name ?? c.phone}`}
                        onClick={() => update.mutate({ id: c.id, optedOut: !c.optedOut })}
                      >
                        {c.optedOut ? "Opt back in" : "Opt out"}
                      </Button>
                      <Button
                        size="sm"
                        tone="ghost"
                        onClick={() => window.confirm(`Delete ${c.phone}?`) && remove.mutate({ id: c.id })}
                      >
                        Delete
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {contacts.hasNextPage ? (
              <Button
                className="mt-4"
                tone="secondary"
                busy={contacts.isFetchingNextPage}
                onClick={() => void contacts.fetchNextPage()}
              >
                Load more
              </Button>
            ) : null}
          </div>
        )}
      </Card>
    </>
  );
}

/** The newer of the contact's last received and last sent message, and which way it went. */
function LastMessage({ inbound, outbound }: { inbound: Date | null; outbound: Date | null }) {
  if (!inbound && !outbound) return <span className="text-slate-400">Never</span>;
  const received = !!inbound && (!outbound || inbound > outbound);
  return (
    <span title={received ? "Last message received from the contact" : "Last message sent to the contact"}>
      {received ? "↙ " : "↗ "}
      {formatDate(received ? inbound : outbound)}
    </span>
  );
}
