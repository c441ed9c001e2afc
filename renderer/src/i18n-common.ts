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
    // Core notices by code (see contract Notice); English uses the core's own text.
    notices: {
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
