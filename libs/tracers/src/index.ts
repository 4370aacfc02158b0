export { TracersModule } from './tracers.module.js';
export { TracersService } from './tracers.service.js';
