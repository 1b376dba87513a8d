/**
 * Event ids (or signed-request keys) this warm instance has already enqueued. Platforms deliver at
 * least once; a repeat is harmless (the engine is level-based), this only spares the queue the
 * work. Per instance only: the queue's dedupe key is what holds across instances. Bounded: the
 * oldest ids are forgotten first.
 */
export class RecentEvents {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 2048) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order: the first is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
