/**
 * Delivery to one target (the edge of src/notify): a generic webhook (JSON body of
 * schemas/notify.schema.json, HMAC-SHA256 of the body in `X-Kairos-Signature-256:
 * sha256=<hex>` as GitHub signs, the entry id in `X-Kairos-Delivery`), a Slack incoming
 * webhook, or e-mail over SMTP (nodemailer: STARTTLS when offered, `requireTLS`, auth).
 * Secret references (`{env: NAME}`) are resolved here, at delivery, from the controller's
 * environment; their values never leave this file except on the wire, and error messages
 * have them masked.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { NotifyTarget, StringOrSecret } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { SmtpConfig } from './config.js';
import type { OutboxEntry } from './events.js';

/** How long one HTTP delivery may take. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** What delivery needs from the world. */
export interface SendDeps {
  /** Where `{env: NAME}` references are looked up (the controller's process environment). */
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  smtp?: SmtpConfig;
}

/** Resolves a value or secret reference; the error names the variable, never a value. */
export function resolveValue(v: StringOrSecret, env: SendDeps['env'], secrets: string[]): string {
  if (typeof v === 'string') return v;
  const got = env[v.env];
  if (got === undefined || got === '') throw new Error(`environment variable ${v.env} is not set`);
  secrets.push(got);
  return got;
}

/** `sha256=<hex>` HMAC of the body, as in the `X-Kairos-Signature-256` header. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The JSON body of a webhook delivery (schemas/notify.schema.json `#/$defs/webhookBody`). */
export function webhookBody(e: OutboxEntry): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const { run } = e;
  return {
    id: e.id,
    event: e.event,
    job: e.job,
    at: iso(e.at),
    run: { id: run.id, state: run.state, ...(run.reason && { reason: run.reason }), scheduledAt: iso(run.scheduledAt), ...(run.endedAt !== undefined && { endedAt: iso(run.endedAt) }), attempts: run.attempts },
  };
}

/** One line saying what happened, for Slack and mail subjects. */
export function summary(e: OutboxEntry): string {
  const what = { failed: 'failed', missed: 'was missed', sla_missed: 'missed its SLA', unschedulable: 'is unschedulable', recovered: 'recovered', succeeded: 'succeeded', preempted: 'was preempted' }[e.event];
  return `Kairos: ${e.job} ${what} (run ${e.run.id}, ${e.run.state}${e.run.reason ? `: ${e.run.reason}` : ''})`;
}

/** Sends notifications to targets; each call throws on failure with secrets masked. */
export class Sender {
  private readonly resolved = new Set<string>();

  constructor(private readonly deps: SendDeps) {}

  /** Every secret value resolved so far, for the log sink and the API to mask. */
  resolvedValues(): Iterable<string> {
    return this.resolved;
  }

  /** Delivers `e` to `target` once. */
  async send(e: OutboxEntry, target: NotifyTarget): Promise<void> {
    const secrets: string[] = [];
    try {
      if ('webhook' in target) {
        const body = JSON.stringify(webhookBody(e));
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-kairos-event': e.event, 'x-kairos-delivery': e.id };
        if (target.webhook.secret) headers['x-kairos-signature-256'] = signature(resolveValue(target.webhook.secret, this.deps.env, secrets), body);
        await this.post(resolveValue(target.webhook.url, this.deps.env, secrets), body, headers);
      } else if ('slack' in target) {
        await this.post(resolveValue(target.slack.url, this.deps.env, secrets), JSON.stringify({ text: summary(e) }), { 'content-type': 'application/json' });
      } else {
        await this.mail(e, target.email.to, secrets);
      }
      for (const s of secrets) this.resolved.add(s);
    } catch (err) {
      for (const s of secrets) this.resolved.add(s);
      throw new Error(mask(err instanceof Error ? err.message : String(err), secrets));
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<void> {
    const abort = new AbortController();
    const timer = this.deps.clock.setTimeout(() => abort.abort(new Error(`no answer within ${DELIVERY_TIMEOUT_MS} ms`)), DELIVERY_TIMEOUT_MS);
    try {
      const res = await fetch(url, { method: 'POST', body, headers, signal: abort.signal, redirect: 'error' });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    } catch (err) {
      // fetch reports "fetch failed" with the reason in `cause`.
      const cause = (err as { cause?: unknown }).cause;
      throw new Error(cause instanceof Error ? `${(err as Error).message}: ${cause.message}` : (err as Error).message);
    } finally {
      timer.cancel();
    }
  }

  private async mail(e: OutboxEntry, to: string[], secrets: string[]): Promise<void> {
    const smtp = this.deps.smtp;
    if (!smtp) throw new Error('e-mail target but no smtp server in --notify-config');
    const user = smtp.user === undefined ? undefined : resolveValue(smtp.user, this.deps.env, secrets);
    const pass = smtp.password === undefined ? undefined : resolveValue(smtp.password, this.deps.env, secrets);
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTLS,
      ...(user !== undefined && { auth: { user, pass } }),
      ...(smtp.caFile && { tls: { ca: readFileSync(smtp.caFile) } }),
      connectionTimeout: DELIVERY_TIMEOUT_MS,
      greetingTimeout: DELIVERY_TIMEOUT_MS,
      socketTimeout: DELIVERY_TIMEOUT_MS,
    });
    try {
      await transport.sendMail({
        from: smtp.from,
        to,
        subject: summary(e),
        text: `${summary(e)}\n\n${JSON.stringify(webhookBody(e), null, 2)}\n`,
        headers: { 'X-Kairos-Delivery': e.id },
      });
    } finally {
      transport.close();
    }
  }
}

/** Replaces every secret value in a message. */
export function mask(message: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((m, s) => m.split(s).join('***'), message);
}
