import { Box, Image, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { ImageItem } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';

const CELL = 168;
const GAP = 10;
/** Room for the selection outline, which is drawn outside each cell. */
const OUTLINE = 2;

/** Virtualised thumbnail grid: only the visible rows exist in the DOM, so 20,000 items scroll smoothly. */
export function LibraryGrid({ items, selected, onSelect }: { items: ImageItem[]; selected: number | null; onSelect: (id: number) => void }) {
  const parent = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(entry.contentRect.width));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const columns = Math.max(1, Math.floor((width - 2 * OUTLINE + GAP) / (CELL + GAP)));
  const rows = Math.ceil(items.length / columns);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => parent.current, estimateSize: () => CELL + 34 + GAP, overscan: 4 });

  return (
    <Box ref={parent} data-testid="library-grid" style={{ overflow: 'auto', height: '100%' }}>
      <div style={{ height: virtualizer.getTotalSize() + 2 * OUTLINE, position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div key={row.key} style={{ position: 'absolute', top: row.start + OUTLINE, left: OUTLINE, right: OUTLINE, display: 'flex', gap: GAP }}>
            {items.slice(row.index * columns, row.index * columns + columns).map((item) => (
              <Box
                key={item.id}
                data-testid="library-cell"
                data-id={item.id}
                onClick={() => onSelect(item.id)}
                style={{
                  width: CELL,
                  cursor: 'pointer',
                  borderRadius: 6,
                  padding: 4,
                  outline: item.id === selected ? '2px solid var(--mantine-primary-color-filled)' : '1px solid var(--mantine-color-default-border)',
                }}
              >
                <Image src={api.mediaUrl('thumb', item.id)} alt={item.title} h={CELL - 8} w="100%" fit="contain" loading="lazy" radius="sm" />
                <Text size="xs" truncate mt={4} title={item.title}>{item.title}</Text>
              </Box>
            ))}
          </div>
        ))}
      </div>
    </Box>
  );
}
