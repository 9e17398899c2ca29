import type { Selectable } from 'kysely';
import type { DeliveriesTable, DeliveryAttemptsTable } from '../../store/alert-tables.js';

export type DeliveryRow = Selectable<DeliveriesTable>;
export type AttemptRow = Selectable<DeliveryAttemptsTable>;
export const DELIVERY_CHANNELS = ['email', 'webhook'] as const;
export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
