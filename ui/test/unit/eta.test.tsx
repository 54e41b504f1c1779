import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Eta } from '../../src/eta.js';

const now = new Date('2026-11-27T20:00:00.000Z');

describe('Eta', () => {
  it('reads as a relative time with the exact time in the title', () => {
    render(
      <Eta value="2026-11-27T20:03:00.000Z" now={now} locale="en-US" timeZone="America/New_York" />,
    );
    const time = screen.getByText('in 3 minutes');
    expect(time.tagName).toBe('TIME');
    expect(time.getAttribute('datetime')).toBe('2026-11-27T20:03:00.000Z');
    expect(time.getAttribute('title')).toMatch(/Friday, November 27, 2026 at 3:03:00\s?PM EST/);
  });

  it('picks the largest unit that fits', () => {
    render(<Eta value="2026-11-27T22:10:00.000Z" now={now} locale="en-US" />);
    expect(screen.getByText('in 2 hours')).toBeTruthy();
  });

  it('reads "now" for an estimate that has passed', () => {
    render(<Eta value="2026-11-27T19:58:00.000Z" now={now} locale="en-US" />);
    expect(screen.getByText('now')).toBeTruthy();
  });

  it('says the estimate is unknown when there is none', () => {
    render(<Eta value={null} now={now} unknownLabel="No estimate" />);
    expect(screen.getByText('No estimate')).toBeTruthy();
  });
});
