import { ValidationFailedError } from '../common/errors/domain-error';

export interface UploadedFile {
  data: Buffer;
  fileName?: string;
  contentType?: string;
}

/**
 * The file of a `multipart/form-data` body (a browser's upload form): the part named
 * `file`, else the first part that carries a file name. The whole body is in memory
 * already (the route's size limit bounds it), so this only slices it.
 */
export function fileOfMultipart(body: Buffer, contentTypeHeader: string): UploadedFile {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentTypeHeader);
  if (!boundary) throw badForm('has no boundary');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2].trim()}`);
  const parts: UploadedFile[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const headersStart = start + delimiter.length;
    if (body.subarray(headersStart, headersStart + 2).toString() === '--') break;
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd === -1) break;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
    if (next === -1) break;
    const headers = body.subarray(headersStart, headersEnd).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const fileName = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const contentType = /content-type:\s*([^\r\n;]*)/i.exec(headers)?.[1]?.trim().toLowerCase();
    const part = { data: body.subarray(headersEnd + 4, next), fileName, contentType };
    if (name === 'file') return part;
    if (fileName !== undefined) parts.push(part);
    start = next + 2;
  }
  if (parts.length === 0) throw badForm('has no file part (send the sheet as the field "file")');
  return parts[0];
}

function badForm(reason: string): ValidationFailedError {
  return new ValidationFailedError([{ field: 'file', reason: `the multipart/form-data body ${reason}` }]);
}
