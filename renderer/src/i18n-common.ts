export const common = {
  en: {
    app: { name: 'ProofMark', tagline: 'Protect your original product photos' },
    nav: { library: 'Library', watermark: 'Watermark', hidden: 'Hidden mark', check: 'Check', find: 'Find', bundles: 'Bundles' },
    theme: { light: 'Light', dark: 'Dark' },
    language: 'Language',
    actions: { cancel: 'Cancel', close: 'Close', save: 'Save', browse: 'Browse…', retry: 'Try again' },
    progress: { working: 'Working… {{done}} of {{total}}', eta: '{{seconds}} s left', rate: '{{rate}}/s' },
    drop: { here: 'Drop photos or folders here', release: 'Release to add them' },
    errors: { generic: 'Something went wrong' },
    // Core phrases by code (contract Wording); without an entry here the core's English is shown.
    notices: {
      file: {
        empty: 'empty file (0 bytes).',
        'not-image': 'not an image: its bytes are not JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, BMP or SVG.',
        'header-unreadable': 'looks like {{format}}, but its header cannot be read (damaged).',
        'no-size': 'declares no pixel size.',
        'over-pixel-limit': 'declares {{width}}×{{height}} pixels ({{mp}} MP), over the {{limit}} MP limit; it was not decoded.',
        damaged: 'cannot be decoded: damaged or truncated.',
        'over-import-limit': '{{mb}} MB, over the 1 GB import limit.',
      },
    },
  },
  zh: {
    app: { name: 'ProofMark 图证', tagline: '保护你的原创商品图片' },
    nav: { library: '图库', watermark: '水印', hidden: '隐形水印', check: '登记检查', find: '查找来源', bundles: '材料包' },
    theme: { light: '浅色', dark: '深色' },
    language: '语言',
    actions: { cancel: '取消', close: '关闭', save: '保存', browse: '浏览…', retry: '重试' },
    progress: { working: '处理中… {{done}} / {{total}}', eta: '剩余 {{seconds}} 秒', rate: '{{rate}} 个/秒' },
    drop: { here: '把图片或文件夹拖到这里', release: '松开即可添加' },
    errors: { generic: '出错了' },
    notices: {
      file: {
        empty: '空文件（0 字节）。',
        'not-image': '不是图片：内容不是 JPEG、PNG、WebP、GIF、TIFF、AVIF、HEIF、BMP 或 SVG。',
        'header-unreadable': '看起来是 {{format}}，但文件头无法读取（已损坏）。',
        'no-size': '没有声明像素尺寸。',
        'over-pixel-limit': '声明为 {{width}}×{{height}} 像素（{{mp}} MP），超过 {{limit}} MP 的上限，未解码。',
        damaged: '无法解码：文件已损坏或不完整。',
        'over-import-limit': '{{mb}} MB，超过 1 GB 的导入上限。',
      },
      hidden: {
        'animated-searched': '动图（{{frames}} 帧）：只检查了第一帧。',
        'animated-marked': '动图（{{frames}} 帧）：只在第一帧加入了水印。',
        'too-small': '图片只有 {{width}}×{{height}} 像素，太小，读不出隐形水印（短边至少需要 {{min}} 像素）。',
        'no-key': '这个图库还没有隐形水印密钥（第一次加水印时自动生成，也可以导入密钥备份）。',
        cmyk: 'CMYK 图片：已转换为 sRGB（水印加在 RGB 中）。',
        '16-bit': '16 位图片：按每通道 8 位写出。',
        flat: '这张图片大部分是平坦区域（纯色背景或非常平滑的部分）；隐形水印只存在于有纹理的部分，大幅编辑后可能读不出来。',
      },
    },
  },
};
