import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../src/progress-bar.js';
import { makeJob } from './jobs.js';

describe('ProgressBar', () => {
  it('exposes the value through aria-valuenow, min and max', () => {
    render(<ProgressBar value={42.7} label="Import" />);
    const bar = screen.getByRole('progressbar', { name: 'Import' });
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(bar.getAttribute('aria-valuetext')).toBe('42%');
    expect(bar.style.getPropertyValue('--progressrus-value')).toBe('42%');
  });

  it('never claims 100 before the work is done, and caps values past 100', () => {
    const { rerender } = render(<ProgressBar value={99.9} label="Import" />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('99');
    rerender(<ProgressBar value={130} label="Import" />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  it('is indeterminate, without aria-valuenow, when the total is unknown', () => {
    render(
      <ProgressBar
        job={makeJob({ id: 'a', name: 'Crawl', total: null, percentage: null, count: 12 })}
      />,
    );
    const bar = screen.getByRole('progressbar', { name: 'Crawl' });
    expect(bar.hasAttribute('aria-valuenow')).toBe(false);
    expect(bar.hasAttribute('data-indeterminate')).toBe(true);
    expect(bar.getAttribute('aria-valuetext')).toBe('12 done, total unknown');
  });

  it('shows a completed job with an unknown total as full', () => {
    render(
      <ProgressBar
        job={makeJob({ id: 'a', status: 'completed', total: null, percentage: null })}
      />,
    );
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  it('shows a completed job as full when its last count fell short of its total', () => {
    render(
      <ProgressBar
        job={makeJob({ id: 'a', status: 'completed', count: 995, total: 1000, percentage: 99.5 })}
      />,
    );
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  it("takes a job's name, percentage and status", () => {
    render(
      <ProgressBar
        job={makeJob({ id: 'a', name: 'Export', percentage: 61.2, status: 'stalled' })}
      />,
    );
    const bar = screen.getByRole('progressbar', { name: 'Export' });
    expect(bar.getAttribute('aria-valuenow')).toBe('61');
    expect(bar.dataset.status).toBe('stalled');
  });
});
