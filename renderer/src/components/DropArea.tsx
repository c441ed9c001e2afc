import { Box, Overlay, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';

/**
 * Wraps a screen: files or folders dropped anywhere on it are turned into paths
 * (webUtils in Electron, an upload through the test bridge) and handed to `onPaths`.
 */
export function DropArea({ onPaths, children, testId }: { onPaths: (paths: string[]) => void; children: ReactNode; testId?: string }) {
  const { t } = useTranslation();
  const [over, setOver] = useState(false);
  return (
    <Box
      pos="relative"
      h="100%"
      data-testid={testId}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const files = Array.from(e.dataTransfer.files);
        if (files.length) void api.pathsForFiles(files).then((paths) => paths.length && onPaths(paths));
      }}
    >
      {children}
      {over ? (
        <Overlay color="var(--mantine-color-blue-6)" backgroundOpacity={0.15} blur={1} center>
          <Text size="xl" fw={600}>{t('drop.release')}</Text>
        </Overlay>
      ) : null}
    </Box>
  );
}
