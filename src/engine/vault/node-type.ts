/** The kinds of entry a tree records. */
export const NODE_TYPES = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'] as const;
export type NodeType = (typeof NODE_TYPES)[number];
