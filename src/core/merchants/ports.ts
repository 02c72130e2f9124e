import type { NewService, ServiceContext } from './types.js';

export interface StoredCredential {
  service: ServiceContext;
  passwordHash: string;
}

export interface MerchantRepository {
  findCredential(serviceId: number, username: string): Promise<StoredCredential | null>;
  createMerchant(name: string, isDemo: boolean): Promise<number>;
  createService(service: NewService): Promise<void>;
  addCredential(serviceId: number, username: string, passwordHash: string): Promise<void>;
  serviceExists(serviceId: number): Promise<boolean>;
}
