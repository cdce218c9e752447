import { ApiProperty, ApiPropertyOptional, PartialType, OmitType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NETWORK_KEYS, type Network } from '../domain/networks';
import { IsMdn } from './is-mdn.validator';

/** Mandatory names must hold something besides spaces. */
const IsNotBlank = () => Matches(/\S/, { message: '$property must not be blank' });

const USER_STATUSES = ['ACTIVE', 'SUSPENDED', 'DELETED', 'LOCKED'] as const;

export class RegisterUserDto {
  @ApiProperty({ example: 'Ada' })
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  firstName!: string;

  @ApiProperty({ example: 'Lovelace' })
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  lastName!: string;

  @ApiProperty({ example: 'ada.lovelace' })
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  username!: string;

  @ApiProperty({ description: 'Mobile number (MDN); stored as E.164', example: '+12015550123' })
  @IsMdn()
  mdn!: string;

  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  email!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  businessPhone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  company?: string;

  @ApiPropertyOptional({ description: 'Unique customer code' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  customerCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  udid?: string;

  @ApiPropertyOptional({ description: "The console's Service Level column", maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  serviceLevel?: string;

  @ApiPropertyOptional({ description: 'The version of the messaging app on the phone', maxLength: 50 })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  messagingAppVersion?: string;

  @ApiPropertyOptional({ enum: NETWORK_KEYS, description: 'The network the line is on, when known' })
  @IsOptional()
  @IsIn(NETWORK_KEYS)
  network?: Network;

  @ApiPropertyOptional({
    description:
      'Text the user their login details (username) and the app link; sent after the user is ' +
      'stored, and listed in GET /v1/users/:id/history',
  })
  @IsOptional()
  @IsBoolean()
  sendLoginSms?: boolean;
}

export class UpdateUserDto extends PartialType(
  OmitType(RegisterUserDto, ['username', 'network', 'sendLoginSms'] as const),
) {
  @ApiPropertyOptional({ enum: USER_STATUSES })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: (typeof USER_STATUSES)[number];
}
