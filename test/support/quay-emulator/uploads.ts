/** Open blob upload sessions (`/v2/<name>/blobs/uploads/<uuid>`), each bound to one repository. */
import type { BlobStore, BlobWriter } from './blob-store.js';
import { uuid } from './formats.js';

export interface UploadSession {
  uuid: string;
  /** `ns/name` of the repository the session was started in. */
  repo: string;
  writer: BlobWriter;
  startedMs: number;
}

export class UploadSessions {
  readonly sessions = new Map<string, UploadSession>();

  constructor(private readonly blobs: BlobStore) {}

  async start(repo: string, nowMs: number): Promise<UploadSession> {
    const session: UploadSession = {
      uuid: uuid(),
      repo,
      writer: await this.blobs.createWriter(),
      startedMs: nowMs,
    };
    this.sessions.set(session.uuid, session);
    return session;
  }

  get(id: string, repo: string): UploadSession | undefined {
    const session = this.sessions.get(id);
    return session && session.repo === repo ? session : undefined;
  }

  async discard(session: UploadSession): Promise<void> {
    this.sessions.delete(session.uuid);
    await session.writer.abort();
  }

  async closeAll(): Promise<void> {
    for (const session of [...this.sessions.values()]) await this.discard(session);
  }
}
