export { ConnectLinks, type IssuedLink } from './connect-links.service.js';
export { ConnectModule } from './connect.module.js';
