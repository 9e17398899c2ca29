import { runBackendConformance } from './conformance.js';
import { MemoryBackend } from './memory-backend.js';

runBackendConformance('memory', async () => ({ backend: new MemoryBackend() }));
