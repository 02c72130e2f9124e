import { hashSecret } from '../../kernel/secrets.js';
import type { MerchantRepository } from './ports.js';
import type { NewService } from './types.js';

/** Merchants, their services and credentials (authentication is PasswordAuthenticator's). */
export class MerchantService {
  constructor(private readonly repository: MerchantRepository) {}

  async createMerchant(name: string, isDemo = false): Promise<number> {
    return this.repository.createMerchant(name, isDemo);
  }

  async createService(service: NewService, username: string, password: string): Promise<void> {
    await this.repository.createService(service);
    await this.repository.addCredential(service.serviceId, username, await hashSecret(password));
  }

  async serviceExists(serviceId: number): Promise<boolean> {
    return this.repository.serviceExists(serviceId);
  }
}
