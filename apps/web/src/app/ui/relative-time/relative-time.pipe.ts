import { Pipe, PipeTransform } from '@angular/core';
import { formatRelativeTime } from './relative-time';

/** `{{ iso | relativeTime: clock.now() }}`: pure, re-evaluated whenever "now" ticks. */
@Pipe({ name: 'relativeTime' })
export class RelativeTimePipe implements PipeTransform {
  transform(iso: string | null | undefined, now: Date): string {
    return iso ? formatRelativeTime(iso, now) : '';
  }
}
