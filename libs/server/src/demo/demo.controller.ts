import { Controller, Get, Header, Inject, NotFoundException, Param, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { ProjectsRepository } from '../projects/projects.repository';
import { accountPage, cartPage, productPage, PRODUCTS, shopPage } from './demo-pages';

/**
 * The demo store's own policy, as a customer's site would set it: the SDK snippet is inline, so
 * inline scripts run here, unlike in the console.
 */
const DEMO_SITE_CSP = "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'";

/** The demo storefront at /demo, recording into the first project. */
@ApiExcludeController()
@Controller('demo')
export class DemoController {
  constructor(
    private readonly projects: ProjectsRepository,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  private async opts(req: FastifyRequest) {
    const project = await this.projects.first();
    return { key: project?.publicKey ?? null, endpoint: this.config.http.publicUrl ?? `${req.protocol}://${req.headers.host}` };
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DEMO_SITE_CSP)
  async shop(@Req() req: FastifyRequest) {
    return shopPage(await this.opts(req));
  }

  @Get('product/:id')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DEMO_SITE_CSP)
  async product(@Req() req: FastifyRequest, @Param('id') id: string) {
    const product = PRODUCTS.find((p) => p.id === id);
    if (!product) throw new NotFoundException('No such product in the demo store.');
    return productPage(product, await this.opts(req));
  }

  @Get('cart')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DEMO_SITE_CSP)
  async cart(@Req() req: FastifyRequest) {
    return cartPage(await this.opts(req));
  }

  @Get('account')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DEMO_SITE_CSP)
  async account(@Req() req: FastifyRequest) {
    return accountPage(await this.opts(req));
  }
}
