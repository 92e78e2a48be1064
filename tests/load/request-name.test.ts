import { describe, expect, it } from 'vitest';
import { templatePath } from '../../src/load/index.js';

describe('naming requests by their URL template', () => {
  it.each([
    // Variable segments become placeholders.
    ['/item/123', '/item/:id'],
    ['/users/42/orders/7', '/users/:id/orders/:id'],
    ['/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301', '/orders/:id'],
    ['/orders/3F2504E0-4F89-11D3-9A0C-0305E82C3301/items', '/orders/:id/items'],
    ['/blobs/5d41402abc4b2a76b9719d911017c592', '/blobs/:id'],
    ['/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709', '/commits/:id'],
    ['/objects/507f1f77bcf86cd799439011', '/objects/:id'],
    ['/tokens/dGhpc2lzYXRlc3QxMjM0NTY3OA', '/tokens/:id'],
    ['/keys/Xk9_aZ2-pQ7rT4vW8yB1', '/keys/:id'],
    ['/reports/2024-01-15', '/reports/:date'],
    ['/reports/2024-01-15T10:30:00Z/summary', '/reports/:date/summary'],
    ['/users/jane.doe@example.com', '/users/:id'],
    ['/users/jane.doe%40example.com/settings', '/users/:id/settings'],
    // The query and the fragment are not part of the name.
    ['/item/123?currency=usd&n=5', '/item/:id'],
    ['/search?q=42', '/search'],
    ['/page#section-2', '/page'],
    ['/a/123#top', '/a/:id'],
    ['/users/7/avatar.png?size=64', '/users/:id/avatar.png'],
    // Words, versions and file names stay literal.
    ['/api/v2/items', '/api/v2/items'],
    ['/v1.2.3/schema', '/v1.2.3/schema'],
    ['/mcp/tools/get_price', '/mcp/tools/get_price'],
    ['/health', '/health'],
    ['/files/report-2024.pdf', '/files/report-2024.pdf'],
    ['/sha256/abc', '/sha256/abc'],
    ['/oauth2/token', '/oauth2/token'],
    ['/get_market_data_2024/history', '/get_market_data_2024/history'],
    ['/CamelCaseResourceName', '/CamelCaseResourceName'],
    ['/rpc/listUsersV2ByOrgId', '/rpc/listUsersV2ByOrgId'],
    ['/rpc/getOrdersV2ByUserId', '/rpc/getOrdersV2ByUserId'],
    ['/img/logo@2x.png', '/img/logo@2x.png'],
    ['/npm/@types/node', '/npm/@types/node'],
    ['/deadbeef', '/deadbeef'],
    ['/assets/app.3f2a1b9c.js', '/assets/app.3f2a1b9c.js'],
    // Edges: the root, trailing and doubled slashes are kept.
    ['/', '/'],
    ['/item/123/', '/item/:id/'],
    ['//item//9', '//item//:id'],
    ['item/77', 'item/:id'],
    ['', ''],
  ])('%s is named %s', (path, name) => {
    expect(templatePath(path)).toBe(name);
  });
});
