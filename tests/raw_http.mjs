// Shared by the deployment's tests: one HTTP exchange with everything as given (any Host, any
// path, dot segments and all, which fetch would normalize; any headers): status, headers, body.
import { request } from 'node:http';

export function raw(base, { method = 'GET', path = '/', headers = {}, body } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
