import { Injectable } from '@nestjs/common';

/** The time the sign-in rules see; tests replace it to move past a lockout without waiting an hour. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
