/** Event specs of this area (see catalog.ts). */
import type { EventSpecs } from './envelope.ts';

export const payments: EventSpecs = {};
