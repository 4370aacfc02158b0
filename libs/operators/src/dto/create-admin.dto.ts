import { IsEmail, IsString, MinLength } from 'class-validator';

export class CreateAdminDto {
  @IsEmail({ require_tld: false }, { message: 'email must be an email address' })
  email!: string;

  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters long' })
  password!: string;
}
