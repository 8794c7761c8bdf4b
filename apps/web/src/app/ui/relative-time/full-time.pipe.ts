import { Pipe, PipeTransform } from '@angular/core';
import { formatFullTime } from './relative-time';

@Pipe({ name: 'fullTime' })
export class FullTimePipe implements PipeTransform {
  transform(iso: string | null | undefined): string {
    return iso ? formatFullTime(iso) : '';
  }
}
