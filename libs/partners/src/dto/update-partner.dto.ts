import { PartialType } from '@nestjs/swagger';

import { CreatePartnerDto } from './create-partner.dto.js';

/** Operator changes to a partner: only the fields given change. */
export class UpdatePartnerDto extends PartialType(CreatePartnerDto) {}
