import { Group, Slider, Stack, Text, type SliderProps } from '@mantine/core';

/**
 * A slider under its label, its value shown beside the label (Mantine shows it only while
 * dragging), both written by `format`. A disabled slider shows no value.
 */
export function SliderField({ label, format, value, disabled, 'data-testid': testId, ...slider }: SliderProps & { label: string; format: (v: number) => string; value: number; 'data-testid'?: string }) {
  return (
    <Stack gap={2}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={500}>{label}</Text>
        {disabled ? null : <Text size="sm" c="dimmed" data-testid={testId && `${testId}-value`}>{format(value)}</Text>}
      </Group>
      <Slider {...slider} value={value} disabled={disabled} label={format} data-testid={testId} />
    </Stack>
  );
}
