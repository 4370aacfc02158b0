import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { ErrorBodySchema } from '@app/core/http';
import { CurrentPartner, type Partner } from '@app/partners';
import { PartnerApi } from '@app/partners/http';

import { BackfillRequests } from '../backfill-requests.service.js';
import { BackfillResponse, CreateBackfillDto, toBackfillResponse } from './backfill.dto.js';

@ApiTags('backfills')
@PartnerApi()
@ApiNotFoundResponse({ type: ErrorBodySchema, description: 'Unknown connection, user or backfill.' })
@Controller('api/v1/connections/:code/users/:tag')
export class BackfillsController {
  constructor(private readonly requests: BackfillRequests) {}

  @Post('backfill')
  @HttpCode(202)
  @ApiOperation({
    summary: "Deliver the messages already in the user's mailbox (optionally only those between since and until).",
    description:
      'Each message is sent once, oldest first, as a new_mail webhook with `backfill: true`; messages already ' +
      'delivered are skipped. Runs in the background: poll GET …/backfills/{id}.',
  })
  @ApiAcceptedResponse({ type: BackfillResponse })
  @ApiBadRequestResponse({
    type: ErrorBodySchema,
    description: 'Bad dates, until before since, or user not connected.',
  })
  @ApiConflictResponse({ type: ErrorBodySchema, description: 'A backfill of this mailbox has not finished yet.' })
  async create(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Param('tag') tag: string,
    @Body() body: CreateBackfillDto,
  ): Promise<BackfillResponse> {
    return toBackfillResponse(await this.requests.request(partner.id, code, tag, body));
  }

  @Get('backfills/:id')
  @ApiOperation({ summary: "A backfill's status and counts." })
  @ApiOkResponse({ type: BackfillResponse })
  async get(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Param('tag') tag: string,
    @Param('id') id: string,
  ): Promise<BackfillResponse> {
    return toBackfillResponse(await this.requests.get(partner.id, code, tag, id));
  }

  @Delete('backfills/:id')
  @ApiOperation({ summary: 'Cancel a backfill; it stops before its next message. A finished one is returned as is.' })
  @ApiOkResponse({ type: BackfillResponse })
  async cancel(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Param('tag') tag: string,
    @Param('id') id: string,
  ): Promise<BackfillResponse> {
    return toBackfillResponse(await this.requests.cancel(partner.id, code, tag, id));
  }
}
