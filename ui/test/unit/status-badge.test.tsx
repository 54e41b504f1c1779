import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StatusBadge } from '../../src/status-badge.js';

describe('StatusBadge', () => {
  it('names the status in words and marks it for styling', () => {
    render(<StatusBadge status="waiting-children" />);
    const badge = screen.getByText('Waiting for children');
    expect(badge.dataset.status).toBe('waiting-children');
  });

  it('takes a translated label', () => {
    render(<StatusBadge status="failed" label="Échec" />);
    expect(screen.getByText('Échec').dataset.status).toBe('failed');
  });
});
