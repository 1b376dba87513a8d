/** Published test vectors (reference/webhooks.md §3.1 and §4). */
export const WECOM_OFFICIAL = {
  keys: { token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiveId: 'wx5823bf96d3bd56c7' },
  verify: {
    timestamp: '1409659589',
    nonce: '263014780',
    signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    encrypted: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    message: '1616140317555161061',
  },
  post: {
    timestamp: '1409659813',
    nonce: '1372623149',
    signature: '477715d11cdb4164915debcba66cb864d751f3e6',
    encrypted:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
    // The reference abbreviates this message; the real plaintext has CDATA sections and newlines.
    message: [
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>',
      '<FromUserName><![CDATA[mycreate]]></FromUserName>',
      '<CreateTime>1409659813</CreateTime>',
      '<MsgType><![CDATA[text]]></MsgType>',
      '<Content><![CDATA[hello]]></Content>',
      '<MsgId>4561255354251345929</MsgId>',
      '<AgentID>218</AgentID>',
      '</xml>',
    ].join('\n'),
  },
} as const;

export const DINGTALK_FIXED = {
  keys: { token: 'token123', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', receiveId: 'dingappkey0001' },
  checkUrl: {
    message: '{"EventType":"check_url"}',
    random: '0123456789abcdef',
    encrypted: 'Q3stYC6hdFzMh9T8HCvyDLV8JeomtQuxZLosYEI28mjzSD5UpK2hp0QUc4H6M/N5ly3jG17WwENxT2k9HIRGKg==',
    timestamp: '1700000000000',
    nonce: 'nonce123',
    signature: '85ff7659633e95b081a23768271d954b51cf7360',
  },
  success: {
    message: 'success',
    random: 'fedcba9876543210',
    encrypted: 'DpQeJfnf/MGZ/+GTIspwVDPodrl+l+35PT3ArKrLkoyoCXfJYOpZNuUe/Xc5KPae4kTJ67iLffOG4Cz6M6rMeQ==',
    timestamp: '1700000000001',
    nonce: 'abcdefghijklmnop',
    signature: '92440855706291c54df2bde98b9a0f0acbf539fd',
  },
} as const;
