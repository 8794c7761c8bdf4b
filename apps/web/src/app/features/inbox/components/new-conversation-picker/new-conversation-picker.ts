import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterNextRender,
  computed,
  inject,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import type { UserDto } from '@instantchat/contracts';
import {
  catchError,
  combineLatest,
  debounceTime,
  map,
  of,
  startWith,
  switchMap,
} from 'rxjs';
import { apiErrorMessage } from '../../../../core/api-error';
import { AuthService } from '../../../../core/session/auth.service';
import { UsersService } from '../../data/users.service';

type SearchState =
  | { status: 'loading' }
  | { status: 'ready'; users: UserDto[] }
  | { status: 'error'; message: string };

const SEARCH_DEBOUNCE_MS = 250;

/** A modal to find a person and open the conversation with them. */
@Component({
  selector: 'ic-new-conversation-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './new-conversation-picker.html',
  styleUrl: './new-conversation-picker.css',
  host: { '(keydown)': 'onKeydown($event)' },
})
export class NewConversationPicker {
  private readonly users = inject(UsersService);
  private readonly auth = inject(AuthService);
  private readonly host =
    inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;

  /** True while the chosen conversation is being opened. */
  readonly busy = input(false);
  /** Why opening the chosen conversation failed, if it did. */
  readonly openError = input<string | null>(null);

  readonly picked = output<UserDto>();
  readonly closed = output<void>();

  protected readonly term = signal('');
  private readonly attempt = signal(0);
  private readonly searchField =
    viewChild.required<ElementRef<HTMLInputElement>>('search');

  private readonly search = toSignal(
    combineLatest([toObservable(this.term), toObservable(this.attempt)]).pipe(
      debounceTime(SEARCH_DEBOUNCE_MS),
      switchMap(([term]) =>
        this.users.search(term).pipe(
          map((users): SearchState => ({ status: 'ready', users })),
          catchError((error: unknown) =>
            of<SearchState>({
              status: 'error',
              message: apiErrorMessage(error, 'Could not search people.'),
            }),
          ),
          startWith<SearchState>({ status: 'loading' }),
        ),
      ),
    ),
    { initialValue: { status: 'loading' } as SearchState },
  );

  protected readonly status = computed(() => this.search().status);
  protected readonly errorMessage = computed(() => {
    const state = this.search();
    return state.status === 'error' ? state.message : '';
  });
  /** Everyone found except the person searching. */
  protected readonly results = computed(() => {
    const state = this.search();
    const myId = this.auth.user()?.id;
    return state.status === 'ready'
      ? state.users.filter((user) => user.id !== myId)
      : [];
  });

  protected readonly emptyMessage = computed(() => {
    const term = this.term().trim();
    return term ? `Nobody matches “${term}”.` : 'Nobody else is here yet.';
  });

  constructor() {
    afterNextRender(() => this.searchField().nativeElement.focus());
  }

  protected retrySearch(): void {
    this.attempt.update((count) => count + 1);
  }

  protected choose(user: UserDto): void {
    if (!this.busy()) {
      this.picked.emit(user);
    }
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.closed.emit();
    } else if (event.key === 'Tab') {
      this.keepFocusInside(event);
    }
  }

  /** A modal keeps keyboard focus inside until it closes. */
  private keepFocusInside(event: KeyboardEvent): void {
    const focusable = Array.from(
      this.host.querySelectorAll<HTMLElement>(
        'button:not([disabled]), input:not([disabled]), [href]',
      ),
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) {
      return;
    }
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
}
