// Contacts API: dashboard (tRPC) and integrators (REST via trpc-to-openapi, scoped API keys).
import { z } from "zod";
import { companyProcedure, createTRPCRouter } from "../trpc";
import {
  contactOutput,
  createContactInput,
  importOutput,
  importPreviewInput,
  importStartInput,
  listContactsInput,
  listInput,
  listMembersInput,
  updateContactInput,
} from "./schemas";
import * as contacts from "./service";

const read = companyProcedure.meta({ scope: "contacts:read" });
const write = companyProcedure.meta({ scope: "contacts:write" });
const byId = z.object({ id: z.string().trim().min(1, "id is required") });
const tags = ["contacts"];

export const contactsRouter = createTRPCRouter({
  list: read
    .meta({
      scope: "contacts:read",
      openapi: { method: "GET", path: "/contacts", tags, summary: "List/search contacts" },
    })
    .input(listContactsInput)
    .output(z.object({ items: z.array(contactOutput), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => contacts.listContacts(ctx.prisma, ctx.companyId, input)),

  get: read
    .meta({
      scope: "contacts:read",
      openapi: { method: "GET", path: "/contacts/{id}", tags, summary: "Get a contact" },
    })
    .input(byId)
    .output(contactOutput)
    .query(({ ctx, input }) => contacts.getContact(ctx.prisma, ctx.companyId, input.id)),

  create: write
    .meta({
      scope: "contacts:write",
      openapi: { method: "POST", path: "/contacts", tags, summary: "Create a contact" },
    })
    .input(createContactInput)
    .output(contactOutput)
    .mutation(({ ctx, input }) => contacts.createContact(ctx.prisma, ctx.companyId, input)),

  update: write
    .meta({
      scope: "contacts:write",
      openapi: { method: "PATCH", path: "/contacts/{id}", tags, summary: "Update a contact (incl. opt-out)" },
    })
    .input(updateContactInput)
    .output(contactOutput)
    .mutation(({ ctx, input }) => contacts.updateContact(ctx.prisma, ctx.companyId, input)),

  delete: write
    .meta({
      scope: "contacts:write",
      openapi: { method: "DELETE", path: "/contacts/{id}", tags, summary: "Delete a contact" },
    })
    .input(byId)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => contacts.deleteContact(ctx.prisma, ctx.companyId, input.id)),

  tags: read.query(({ ctx }) => contacts.listTags(ctx.prisma, ctx.companyId)),

  lists: read.query(({ ctx }) => contacts.listLists(ctx.prisma, ctx.companyId)),
  createList: write
    .input(listInput)
    .mutation(({ ctx, input }) => contacts.createList(ctx.prisma, ctx.companyId, input.name)),
  deleteList: write
    .input(byId)
    .mutation(({ ctx, input }) => contacts.deleteList(ctx.prisma, ctx.companyId, input.id)),
  addToList: write
    .input(listMembersInput)
    .mutation(({ ctx, input }) =>
      contacts.addToList(ctx.prisma, ctx.companyId, input.listId, input.contactIds),
    ),
  removeFromList: write
    .input(listMembersInput)
    .mutation(({ ctx, input }) =>
      contacts.removeFromList(ctx.prisma, ctx.companyId, input.listId, input.contactIds),
    ),

  importPreview: write
    .input(importPreviewInput)
    .mutation(({ ctx, input }) => contacts.previewImport(ctx.companyId, input.fileName, input.contentBase64)),
  importStart: write
    .input(importStartInput)
    .output(importOutput)
    .mutation(({ ctx, input }) => contacts.startImport(ctx, ctx.companyId, ctx.userId, input)),
  importGet: read
    .meta({
      scope: "contacts:read",
      openapi: { method: "GET", path: "/contacts/imports/{id}", tags, summary: "Import progress" },
    })
    .input(byId)
    .output(importOutput)
    .query(({ ctx, input }) => contacts.getImport(ctx.prisma, ctx.companyId, input.id)),
  importList: read.query(({ ctx }) => contacts.listImports(ctx.prisma, ctx.companyId)),
  importCancel: write
    .input(byId)
    .output(importOutput)
    .mutation(({ ctx, input }) => contacts.cancelImport(ctx.prisma, ctx.companyId, input.id)),
});
